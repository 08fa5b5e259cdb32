<?php

use Illuminate\Database\Migrations\Migration;
use Illuminate\Database\Schema\Blueprint;
use Illuminate\Support\Facades\Schema;

// The migration from the staging incident: a first attempt added `priority`, then failed on
// `priority_changed_at`; MySQL kept the first column, Laravel did not record the migration,
// and every later `migrate` stopped here with "Duplicate column name 'priority'".
class AddPriorityToServiceCasesTable extends Migration
{
    public function up()
    {
        Schema::table('service_cases', function (Blueprint $table) {
            $table->unsignedTinyInteger('priority')->default(3)->after('status');
            $table->timestamp('priority_changed_at')->nullable()->after('priority');
        });
    }

    public function down()
    {
        Schema::table('service_cases', function (Blueprint $table) {
            $table->dropColumn(['priority', 'priority_changed_at']);
        });
    }
}
