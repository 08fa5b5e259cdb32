<?php

use Illuminate\Database\Migrations\Migration;
use Illuminate\Database\Schema\Blueprint;
use Illuminate\Support\Facades\Schema;

class AddPriorityToTasks extends Migration
{
    public function up()
    {
        Schema::table('tasks', function (Blueprint $table) {
            // ML002: the staging incident, "Duplicate column name 'priority'".
            $table->unsignedTinyInteger('priority')->default(3);
            // ML007: "Duplicate key name" on a re-run.
            $table->index('priority');

            if (! Schema::hasColumn('tasks', 'due_at')) {
                $table->timestamp('due_at')->nullable(); // guarded: not flagged
            }
            $table->string('owner_note')->nullable(); // migrate-lint-ignore ML002 -- added by hand on prod
        });
    }

    public function down()
    {
        Schema::table('tasks', function (Blueprint $table) {
            $table->dropIndex(['priority']); // ML010
            $table->dropColumn(['priority', 'due_at']); // ML003
        });
    }
}
