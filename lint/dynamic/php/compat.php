<?php
/*
 * Newer Laravel schema helpers, emulated for the oracle's Laravel 8.83 (Debian's
 * php-illuminate-database), which lacks them:
 *
 *   Schema::whenTableHasColumn / whenTableDoesntHaveColumn($table, $column, $callback)   9.6
 *   Schema::getIndexes / getIndexListing / getForeignKeys($table)                        10.x
 *   Schema::hasIndex($table, $nameOrColumns, $type = null)                               10.43
 *   Schema::whenTableHasIndex / whenTableDoesntHaveIndex($table, $index, $callback, $type) 12.42
 *   Schema::hasForeignKey($table, $nameOrColumns)                                        13.10
 *
 * The code is Laravel's, from laravel/framework v13.10.0 (e36708519b89), where all of them
 * exist (the two whenTable* pairs and getIndexes/getForeignKeys share one helper each here); the
 * code they rely on is unchanged up to 13.x HEAD (bd71b45fbb7e, 2026-08-21):
 *   src/Illuminate/Database/Schema/Builder.php                 the helpers, parseSchemaAndTable
 *   src/Illuminate/Database/Schema/Grammars/SQLiteGrammar.php  compileIndexes, compileForeignKeys
 *   src/Illuminate/Database/Schema/Grammars/MySqlGrammar.php   compileIndexes, compileForeignKeys
 *   src/Illuminate/Database/Query/Processors/SQLiteProcessor.php  processIndexes, processForeignKeys
 *   src/Illuminate/Database/Query/Processors/MySqlProcessor.php   processIndexes, processForeignKeys
 * The SQL is Laravel's (SQLite pragmas; information_schema on MySQL/MariaDB) and the rows are
 * shaped as Laravel's processors shape them: index names lower-cased, the SQLite primary key
 * named 'primary', SQLite foreign keys without a name.
 *
 * Laravel 8's Schema\Builder is not Macroable, so register() makes the 'sqlite' and 'mysql'
 * drivers build connections whose getSchemaBuilder() returns a Builder subclass with these
 * methods: Schema::..., Schema::connection('x')->..., DB::getSchemaBuilder()->... all get them.
 * A method the real Builder already has is left to it (the subclass calls parent::).
 */

namespace MigrateLint\Compat;

use Closure;
use Illuminate\Database\Connection;
use Illuminate\Database\Schema\Blueprint;
use Illuminate\Database\Schema\Builder;
use InvalidArgumentException;

const HELPERS = ['whenTableHasColumn', 'whenTableDoesntHaveColumn', 'whenTableHasIndex',
                 'whenTableDoesntHaveIndex', 'getIndexes', 'getIndexListing', 'hasIndex',
                 'getForeignKeys', 'hasForeignKey'];

/** The helpers the real Schema\Builder lacks. */
function missing(): array
{
    return array_values(array_filter(HELPERS, function ($method) {
        return !method_exists(Builder::class, $method);
    }));
}

/**
 * Makes new 'sqlite' and 'mysql' connections use the emulating builders. Call it before the
 * first connection is made. Returns the helpers emulated ([] when Laravel has them all, or a
 * driver already has a custom resolver).
 */
function register(): array
{
    $missing = missing();
    if ($missing === []) {
        return [];
    }
    $drivers = ['sqlite' => SQLiteConnection::class, 'mysql' => MySqlConnection::class];
    foreach ($drivers as $driver => $class) {
        if (Connection::getResolver($driver) !== null) {
            return [];
        }
    }
    foreach ($drivers as $driver => $class) {
        Connection::resolverFor($driver, function ($pdo, $database, $prefix, $config) use ($class) {
            return new $class($pdo, $database, $prefix, $config);
        });
    }
    return $missing;
}

trait SchemaHelpers
{
    private static function native(string $method): bool
    {
        return method_exists(Builder::class, $method);
    }

    /** Laravel 9.6+ Builder::whenTableHasColumn. */
    public function whenTableHasColumn(string $table, string $column, Closure $callback)
    {
        if (self::native(__FUNCTION__)) {
            return parent::whenTableHasColumn($table, $column, $callback);
        }
        $this->compatWhen($this->hasColumn($table, $column), $table, $callback);
    }

    /** Laravel 9.6+ Builder::whenTableDoesntHaveColumn. */
    public function whenTableDoesntHaveColumn(string $table, string $column, Closure $callback)
    {
        if (self::native(__FUNCTION__)) {
            return parent::whenTableDoesntHaveColumn($table, $column, $callback);
        }
        $this->compatWhen(! $this->hasColumn($table, $column), $table, $callback);
    }

    /** Laravel 12.42+ Builder::whenTableHasIndex. */
    public function whenTableHasIndex(string $table, string|array $index, Closure $callback, ?string $type = null)
    {
        if (self::native(__FUNCTION__)) {
            return parent::whenTableHasIndex($table, $index, $callback, $type);
        }
        $this->compatWhen($this->hasIndex($table, $index, $type), $table, $callback);
    }

    /** Laravel 12.42+ Builder::whenTableDoesntHaveIndex. */
    public function whenTableDoesntHaveIndex(string $table, string|array $index, Closure $callback, ?string $type = null)
    {
        if (self::native(__FUNCTION__)) {
            return parent::whenTableDoesntHaveIndex($table, $index, $callback, $type);
        }
        $this->compatWhen(! $this->hasIndex($table, $index, $type), $table, $callback);
    }

    /**
     * Laravel 10.x+ Builder::getIndexes (13.10 form).
     * @return list<array{name: string, columns: list<string>, type: string|null, unique: bool, primary: bool}>
     */
    public function getIndexes($table)
    {
        if (self::native(__FUNCTION__)) {
            return parent::getIndexes($table);
        }
        return $this->compatProcessIndexes($this->compatSelect($table, 'compatCompileIndexes'));
    }

    /** Laravel 10.x+ Builder::getIndexListing. */
    public function getIndexListing($table)
    {
        if (self::native(__FUNCTION__)) {
            return parent::getIndexListing($table);
        }
        return array_column($this->getIndexes($table), 'name');
    }

    /** Laravel 10.43+ Builder::hasIndex: a name or the exact column list, compared with ===. */
    public function hasIndex($table, $index, $type = null)
    {
        if (self::native(__FUNCTION__)) {
            return parent::hasIndex($table, $index, $type);
        }
        $type = is_null($type) ? $type : strtolower($type);

        foreach ($this->getIndexes($table) as $value) {
            $typeMatches = is_null($type)
                || ($type === 'primary' && $value['primary'])
                || ($type === 'unique' && $value['unique'])
                || $type === $value['type'];

            if (($value['name'] === $index || $value['columns'] === $index) && $typeMatches) {
                return true;
            }
        }

        return false;
    }

    /** Laravel 13.10+ Builder::hasForeignKey: a name or the exact column list, compared with ===. */
    public function hasForeignKey($table, $foreignKey)
    {
        if (self::native(__FUNCTION__)) {
            return parent::hasForeignKey($table, $foreignKey);
        }
        foreach ($this->getForeignKeys($table) as $value) {
            if ($value['name'] === $foreignKey || $value['columns'] === $foreignKey) {
                return true;
            }
        }

        return false;
    }

    /**
     * Laravel 10.x+ Builder::getForeignKeys (13.10 form).
     * @return list<array{name: string|null, columns: list<string>, foreign_schema: string|null, foreign_table: string, foreign_columns: list<string>, on_update: string|null, on_delete: string|null}>
     */
    public function getForeignKeys($table)
    {
        if (self::native(__FUNCTION__)) {
            return parent::getForeignKeys($table);
        }
        return $this->compatProcessForeignKeys($this->compatSelect($table, 'compatCompileForeignKeys'));
    }

    /** As Laravel's whenTable* helpers: the callback goes through Schema::table. */
    private function compatWhen(bool $condition, string $table, Closure $callback): void
    {
        if ($condition) {
            $this->table($table, fn (Blueprint $table) => $callback($table));
        }
    }

    /** The rows of getIndexes/getForeignKeys: Laravel's query for the prefixed table. */
    private function compatSelect($table, string $compile): array
    {
        [$schema, $table] = $this->compatSchemaAndTable($table);

        $table = $this->connection->getTablePrefix().$table;

        return $this->connection->selectFromWriteConnection($this->{$compile}($schema, $table));
    }

    /**
     * MySqlProcessor::processForeignKeys; SQLiteProcessor's is the same with 'name' => null
     * (SQLite keeps no constraint names, and Laravel's SQLite query selects none).
     */
    private function compatProcessForeignKeys($results): array
    {
        return array_map(function ($result) {
            $result = (object) $result;

            return [
                'name' => $result->name ?? null,
                'columns' => explode(',', $result->columns),
                'foreign_schema' => $result->foreign_schema,
                'foreign_table' => $result->foreign_table,
                'foreign_columns' => explode(',', $result->foreign_columns),
                'on_update' => strtolower($result->on_update),
                'on_delete' => strtolower($result->on_delete),
            ];
        }, $results);
    }

    /** Laravel 12.x+ Builder::parseSchemaAndTable($reference) without a default schema. */
    private function compatSchemaAndTable($reference): array
    {
        $segments = explode('.', $reference);

        if (count($segments) > 2) {
            throw new InvalidArgumentException(
                "Using three-part references is not supported, you may use `Schema::connection('{$segments[0]}')` instead."
            );
        }

        return [isset($segments[1]) ? $segments[0] : null, $segments[1] ?? $segments[0]];
    }
}

class SQLiteBuilder extends \Illuminate\Database\Schema\SQLiteBuilder
{
    use SchemaHelpers;

    /** SQLiteGrammar::compileIndexes: the primary key (from table_xinfo) is named 'primary'. */
    protected function compatCompileIndexes($schema, $table): string
    {
        return sprintf(
            'select \'primary\' as name, group_concat(col) as columns, 1 as "unique", 1 as "primary" '
            .'from (select name as col from pragma_table_xinfo(%s, %s) where pk > 0 order by pk, cid) group by name '
            .'union select name, group_concat(col) as columns, "unique", origin = \'pk\' as "primary" '
            .'from (select il.*, ii.name as col from pragma_index_list(%s, %s) il, pragma_index_info(il.name, %s) ii order by il.seq, ii.seqno) '
            .'group by name, "unique", "primary"',
            $table = $this->grammar->quoteString($table),
            $schema = $this->grammar->quoteString($schema ?? 'main'),
            $table,
            $schema,
            $schema
        );
    }

    /** SQLiteGrammar::compileForeignKeys: SQLite keeps no constraint names. */
    protected function compatCompileForeignKeys($schema, $table): string
    {
        return sprintf(
            'select group_concat("from") as columns, %s as foreign_schema, "table" as foreign_table, '
            .'group_concat("to") as foreign_columns, on_update, on_delete '
            .'from (select * from pragma_foreign_key_list(%s, %s) order by id desc, seq) '
            .'group by id, "table", on_update, on_delete',
            $schema = $this->grammar->quoteString($schema ?? 'main'),
            $this->grammar->quoteString($table),
            $schema
        );
    }

    /** SQLiteProcessor::processIndexes. */
    protected function compatProcessIndexes($results): array
    {
        $primaryCount = 0;

        $indexes = array_map(function ($result) use (&$primaryCount) {
            $result = (object) $result;

            if ($isPrimary = (bool) $result->primary) {
                $primaryCount += 1;
            }

            return [
                'name' => strtolower($result->name),
                'columns' => $result->columns ? explode(',', $result->columns) : [],
                'type' => null,
                'unique' => (bool) $result->unique,
                'primary' => $isPrimary,
            ];
        }, $results);

        if ($primaryCount > 1) {
            $indexes = array_filter($indexes, fn ($index) => $index['name'] !== 'primary');
        }

        return $indexes;
    }
}

class MySqlBuilder extends \Illuminate\Database\Schema\MySqlBuilder
{
    use SchemaHelpers;

    /** MySqlGrammar::compileIndexes (MariaDB uses it too). */
    protected function compatCompileIndexes($schema, $table): string
    {
        return sprintf(
            'select index_name as `name`, group_concat(column_name order by seq_in_index) as `columns`, '
            .'index_type as `type`, not non_unique as `unique` '
            .'from information_schema.statistics where table_schema = %s and table_name = %s '
            .'group by index_name, index_type, non_unique',
            $schema ? $this->grammar->quoteString($schema) : 'schema()',
            $this->grammar->quoteString($table)
        );
    }

    /** MySqlGrammar::compileForeignKeys. */
    protected function compatCompileForeignKeys($schema, $table): string
    {
        return sprintf(
            'select kc.constraint_name as `name`, '
            .'group_concat(kc.column_name order by kc.ordinal_position) as `columns`, '
            .'kc.referenced_table_schema as `foreign_schema`, '
            .'kc.referenced_table_name as `foreign_table`, '
            .'group_concat(kc.referenced_column_name order by kc.ordinal_position) as `foreign_columns`, '
            .'rc.update_rule as `on_update`, '
            .'rc.delete_rule as `on_delete` '
            .'from information_schema.key_column_usage kc join information_schema.referential_constraints rc '
            .'on kc.constraint_schema = rc.constraint_schema and kc.constraint_name = rc.constraint_name '
            .'where kc.table_schema = %s and kc.table_name = %s and kc.referenced_table_name is not null '
            .'group by kc.constraint_name, kc.referenced_table_schema, kc.referenced_table_name, rc.update_rule, rc.delete_rule',
            $schema ? $this->grammar->quoteString($schema) : 'schema()',
            $this->grammar->quoteString($table)
        );
    }

    /** MySqlProcessor::processIndexes: the primary key is the index named PRIMARY. */
    protected function compatProcessIndexes($results): array
    {
        return array_map(function ($result) {
            $result = (object) $result;

            return [
                'name' => $name = strtolower($result->name),
                'columns' => $result->columns ? explode(',', $result->columns) : [],
                'type' => strtolower($result->type),
                'unique' => (bool) $result->unique,
                'primary' => $name === 'primary',
            ];
        }, $results);
    }
}

/** As Laravel 8.83's SQLiteConnection, with the emulating builder. */
class SQLiteConnection extends \Illuminate\Database\SQLiteConnection
{
    public function getSchemaBuilder()
    {
        if (is_null($this->schemaGrammar)) {
            $this->useDefaultSchemaGrammar();
        }

        return new SQLiteBuilder($this);
    }
}

/** As Laravel 8.83's MySqlConnection, with the emulating builder. */
class MySqlConnection extends \Illuminate\Database\MySqlConnection
{
    public function getSchemaBuilder()
    {
        if (is_null($this->schemaGrammar)) {
            $this->useDefaultSchemaGrammar();
        }

        return new MySqlBuilder($this);
    }
}
