<?php

use Illuminate\Database\Migrations\Migration;
use Illuminate\Database\Schema\Blueprint;
use Illuminate\Support\Facades\Schema;

return new class extends Migration
{
    public function up(): void
    {
        Schema::create('macros', function (Blueprint $table) {
            $table->id();
            $table->string('name');
            $table->json('actions');
            $table->timestamps();
        });
    }

    public function down(): void
    {
        Schema::dropIfExists('macros');
    }
};
