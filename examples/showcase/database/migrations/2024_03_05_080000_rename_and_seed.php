<?php

use Illuminate\Database\Migrations\Migration;
use Illuminate\Database\Schema\Blueprint;
use Illuminate\Support\Facades\DB;
use Illuminate\Support\Facades\Schema;

return new class extends Migration
{
    public function up(): void
    {
        Schema::rename('todo_lists', 'task_lists'); // ML006

        Schema::table('tasks', function (Blueprint $table) {
            $table->renameColumn('title', 'subject'); // ML005
        });

        // ML008: raw DDL without IF NOT EXISTS.
        DB::statement('CREATE INDEX tasks_subject_index ON tasks (subject)');

        // ML009: inserts the same rows again on every re-run.
        DB::table('task_lists')->insert(['name' => 'Inbox']);

        // migrate-lint-ignore ML009 -- this comment suppresses nothing (ML900)
        DB::table('task_lists')->insertOrIgnore(['name' => 'Archive']);
    }
};
