<?php

use Illuminate\Database\Migrations\Migration;
use Illuminate\Database\Schema\Blueprint;
use Illuminate\Support\Facades\Schema;

return new class extends Migration
{
    public function up(): void
    {
        Schema::table('call_sessions', function (Blueprint $table) {
            if (! Schema::hasColumn('call_sessions', 'queue_id')) {
                $table->foreignId('queue_id')->nullable();
            }
        });
    }

    public function down(): void
    {
        Schema::table('call_sessions', function (Blueprint $table) {
            if (Schema::hasColumn('call_sessions', 'queue_id')) {
                $table->dropColumn('queue_id');
            }
        });
    }
};
