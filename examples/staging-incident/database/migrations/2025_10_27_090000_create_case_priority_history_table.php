<?php

use Illuminate\Database\Migrations\Migration;
use Illuminate\Database\Schema\Blueprint;
use Illuminate\Support\Facades\Schema;

return new class extends Migration
{
    public function up(): void
    {
        Schema::create('case_priority_history', function (Blueprint $table) {
            $table->id();
            $table->foreignId('service_case_id');
            $table->unsignedTinyInteger('from_priority');
            $table->unsignedTinyInteger('to_priority');
            $table->timestamps();
        });
    }

    public function down(): void
    {
        Schema::dropIfExists('case_priority_history');
    }
};
