<?php

use Illuminate\Database\Migrations\Migration;
use Illuminate\Database\Schema\Blueprint;
use Illuminate\Support\Facades\Schema;

return new class extends Migration
{
    public function up(): void
    {
        // ML001: a re-run fails with "Table 'tasks' already exists".
        Schema::create('tasks', function (Blueprint $table) {
            $table->id();
            $table->string('title');
            $table->timestamps();
        });

        // Suppressed on purpose: this table is created once by a one-off import.
        // migrate-lint-ignore ML001 -- created by the legacy importer, never re-run
        Schema::create('legacy_tasks', function (Blueprint $table) {
            $table->id();
        });
    }

    public function down(): void
    {
        // ML004: fails when the table is already gone; dropIfExists never does.
        Schema::drop('tasks');
        Schema::dropIfExists('legacy_tasks');
    }
};
