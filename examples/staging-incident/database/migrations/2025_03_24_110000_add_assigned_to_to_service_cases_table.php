<?php

use Illuminate\Database\Migrations\Migration;
use Illuminate\Database\Schema\Blueprint;
use Illuminate\Support\Facades\Schema;

return new class extends Migration
{
    public function up(): void
    {
        Schema::table('service_cases', function (Blueprint $table) {
            if (! Schema::hasColumn('service_cases', 'assigned_to')) {
                $table->foreignId('assigned_to')->nullable();
            }
        });
    }

    public function down(): void
    {
        Schema::table('service_cases', function (Blueprint $table) {
            if (Schema::hasColumn('service_cases', 'assigned_to')) {
                $table->dropColumn('assigned_to');
            }
        });
    }
};
