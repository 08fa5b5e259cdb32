<?php
/*
 * migrate-lint's oracle: runs Laravel migrations for real and answers in JSON.
 *
 * Reads one JSON request on stdin, prints one JSON object on stdout, nothing else:
 *   {"connection": {...Laravel connection config...}, "setup": ["sql", ...],
 *    "autoload": ["vendor/autoload.php"],              (default: Debian's Laravel packages)
 *    "action": "steps",   "file": "m.php", "steps": ["up", "up", "down"], "continue": false
 *    "action": "migrate", "path": "database/migrations"  (Laravel's real Migrator)
 *    "action": "schema"}
 *    "action": "query", "sql": ["select ...", ...]       (rows of each statement)
 *    "action": "hold", "lock": "name"   (GET_LOCK, answer, then hold it until stdin closes)
 *    "action": "serve"   (a worker: then one {"file", "steps", "continue"} per line, one answer each)
 *    "action": "replay", "files": [...]   (up() of each, in order)
 * Boots Laravel's schema builder without the framework (see shared/LARAVEL_FACTS.md).
 */

use Illuminate\Container\Container;
use Illuminate\Database\Capsule\Manager as Capsule;
use Illuminate\Database\Migrations\DatabaseMigrationRepository;
use Illuminate\Database\Migrations\Migration;
use Illuminate\Database\Migrations\Migrator;
use Illuminate\Filesystem\Filesystem;
use Illuminate\Support\Facades\Facade;

ob_start(); // a migration that echoes must not corrupt our one line of JSON
error_reporting(E_ALL);
ini_set('display_errors', 'stderr');
set_error_handler(function ($severity, $message, $file, $line) {
    if (!(error_reporting() & $severity) || $severity & (E_DEPRECATED | E_USER_DEPRECATED)) {
        return true;
    }
    throw new ErrorException($message, 0, $severity, $file, $line);
});

$GLOBALS['partial'] = null; // what a step run had done when PHP stopped with a fatal error

function respond(array $data)
{
    while (ob_get_level() > 0) {
        ob_end_clean();
    }
    fwrite(STDOUT, json_encode($data, JSON_UNESCAPED_SLASHES | JSON_PARTIAL_OUTPUT_ON_ERROR | JSON_INVALID_UTF8_SUBSTITUTE) . "\n");
    fflush(STDOUT);
    ob_start();
}

function answer(array $data)
{
    $GLOBALS['answered'] = true;
    respond($data);
    exit(0);
}

// The line of the innermost frame in the migration file: the statement that failed.
function migration_line(Throwable $e, ?string $file): ?int
{
    if ($file === null) {
        return null;
    }
    $frames = array_merge([['file' => $e->getFile(), 'line' => $e->getLine()]], $e->getTrace());
    foreach ($frames as $frame) {
        if (isset($frame['file'], $frame['line']) && realpath($frame['file']) === $file) {
            return (int) $frame['line'];
        }
    }
    return null;
}

function error_info(Throwable $e): array
{
    $sqlstate = null;
    $code = null;
    for ($p = $e; $p !== null; $p = $p->getPrevious()) {
        if ($p instanceof PDOException) {
            if (is_array($p->errorInfo ?? null) && isset($p->errorInfo[0])) {
                $sqlstate = (string) $p->errorInfo[0];
                $code = $p->errorInfo[1] ?? null;
            } elseif (is_string($p->getCode())) {
                $sqlstate = $p->getCode();
            }
            break;
        }
    }
    return ['ok' => false, 'error' => $e->getMessage(), 'sqlstate' => $sqlstate,
            'driver_code' => $code, 'exception' => get_class($e),
            'line' => migration_line($e, $GLOBALS['migration_file'] ?? null)];
}

// A fatal error (a missing trait, a class declared twice) ends PHP without an exception:
// answer with it, and with the steps that had run, instead of dying silently.
register_shutdown_function(function () {
    if (!empty($GLOBALS['answered'])) {
        return;
    }
    $error = error_get_last();
    if ($error === null || !($error['type'] & (E_ERROR | E_PARSE | E_CORE_ERROR | E_COMPILE_ERROR))) {
        $error = ['type' => 0, 'message' => 'PHP stopped before the runner answered (exit() or die() in the migration?)',
                  'file' => '', 'line' => null];
    }
    $data = $GLOBALS['partial'] ?? ['ok' => false];
    $data['ok'] = false;
    $data['fatal'] = true;
    $data['php_fatal'] = true;
    $data['error'] = ($error['type'] ? 'PHP Fatal error: ' : '') . $error['message'];
    $data['exception'] = 'PHP fatal error';
    $data['line'] = realpath($error['file']) === ($GLOBALS['migration_file'] ?? null) ? $error['line'] : null;
    answer($data);
});

$request = json_decode(fgets(STDIN) ?: '', true);
if (!is_array($request)) {
    answer(['ok' => false, 'error' => 'the request is not a JSON object', 'fatal' => true]);
}
$GLOBALS['migration_file'] = isset($request['file']) ? (realpath($request['file']) ?: null) : null;

try {
    $autoloads = $request['autoload'] ?? [
        'Illuminate/Database/autoload.php',
        'Illuminate/Filesystem/autoload.php',
        'Illuminate/Events/autoload.php',
    ];
    foreach ($autoloads as $autoload) {
        if (!stream_resolve_include_path($autoload) && !is_file($autoload)) {
            answer(['ok' => false, 'error' => "autoloader not found: $autoload", 'fatal' => true]);
        }
        require_once $autoload;
    }
    // Debian's Laravel 8.83 stands in for a project's newer one: give it the schema helpers
    // migrations and our fixes call (compat.php). A project's own vendor answers for itself.
    if (!isset($request['autoload']) && is_file(__DIR__ . '/compat.php')) {
        require_once __DIR__ . '/compat.php';
        MigrateLint\Compat\register();
    }

    $container = new Container();
    Container::setInstance($container);
    $capsule = new Capsule($container);
    $capsule->addConnection($request['connection'] ?? []);
    $capsule->setAsGlobal();
    $container->instance('db', $capsule->getDatabaseManager());
    $container->bind('db.schema', function () use ($capsule) {
        return $capsule->getConnection()->getSchemaBuilder();
    });
    $container->instance('files', new Filesystem());
    if (class_exists('Illuminate\Config\Repository')) {
        // An app's own vendor brings Laravel's config() helper: give it the connection we use.
        $container->instance('config', new Illuminate\Config\Repository(['database' => [
            'default' => 'default', 'connections' => ['default' => $request['connection'] ?? []]]]));
    }
    Facade::setFacadeApplication($container);
    // Migrations written for the full framework use the global aliases.
    $aliases = ['Schema' => 'Illuminate\Support\Facades\Schema', 'DB' => 'Illuminate\Support\Facades\DB',
                'Migration' => 'Illuminate\Database\Migrations\Migration',
                'Blueprint' => 'Illuminate\Database\Schema\Blueprint',
                'QueryException' => 'Illuminate\Database\QueryException'];
    foreach ($aliases as $alias => $class) {
        if (!class_exists($alias, false)) {
            class_alias($class, $alias);
        }
    }
    require_once __DIR__ . '/helpers.php';
    if (($request['action'] ?? '') === 'probe') {
        $version = null;
        if (class_exists('Illuminate\Foundation\Application')) {
            $version = Illuminate\Foundation\Application::VERSION;
        } elseif (class_exists('Composer\InstalledVersions')) {
            foreach (['laravel/framework', 'illuminate/database'] as $package) {
                if (Composer\InstalledVersions::isInstalled($package)) {
                    $version = Composer\InstalledVersions::getPrettyVersion($package);
                    break;
                }
            }
        }
        answer(['ok' => true, 'laravel' => $version, 'php' => PHP_VERSION]);
    }
    $connection = $capsule->getConnection();
    foreach (array_merge($request['session'] ?? [], $request['setup'] ?? []) as $sql) {
        $connection->unprepared($sql);
    }
} catch (Throwable $e) {
    answer(error_info($e) + ['fatal' => true]);
}

function tables($connection): array
{
    $driver = $connection->getDriverName();
    if ($driver === 'sqlite') {
        $names = array_map(function ($row) { return $row->name; }, $connection->select(
            "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name"));
        $indexes = [];
        foreach ($connection->select("select name, tbl_name from sqlite_master where type = 'index' and name not like 'sqlite_%' order by name") as $row) {
            $indexes[$row->tbl_name][] = $row->name;
        }
    } elseif ($driver === 'pgsql') {
        $names = array_map(function ($row) { return $row->tablename; }, $connection->select(
            "select tablename from pg_tables where schemaname = current_schema() order by tablename"));
        $indexes = [];
        foreach ($connection->select("select tablename, indexname from pg_indexes where schemaname = current_schema() order by indexname") as $row) {
            $indexes[$row->tablename][] = $row->indexname;
        }
    } else {
        $names = array_map(function ($row) { return array_values((array) $row)[0]; },
            $connection->select('show tables'));
        sort($names);
        $indexes = [];
        foreach ($names as $t) {
            foreach ($connection->select("show index from `$t`") as $row) {
                $indexes[$t][$row->Key_name] = true;
            }
            $indexes[$t] = array_keys($indexes[$t] ?? []);
        }
    }
    $out = [];
    foreach ($names as $t) {
        $out[$t] = $connection->getSchemaBuilder()->getColumnListing($t);
    }
    return ['tables' => $out, 'indexes' => (object) $indexes];
}

function load_migration(string $file)
{
    static $loaded = [];
    if (isset($loaded[$file])) {
        return $loaded[$file];
    }
    return $loaded[$file] = require_migration($file);
}

function require_migration(string $file)
{
    $before = get_declared_classes();
    $migration = require $file;
    if (is_object($migration)) {
        return $migration;
    }
    foreach (array_diff(get_declared_classes(), $before) as $class) {
        if (is_subclass_of($class, Migration::class)) {
            return new $class();
        }
    }
    throw new RuntimeException("no migration class found in $file");
}

// What the schema and its rows look like, as a hash (and the table names): tells whether a failed step
// changed anything, and whether a restore put everything back.
function fingerprint($connection): array
{
    if ($connection->getDriverName() === 'sqlite') {
        $rows = $connection->select("select type, name, tbl_name, sql from sqlite_master where name not like 'sqlite_%' order by type, name");
        $tables = [];
        foreach ($rows as $row) {
            if ($row->type === 'table') {
                $tables[] = $row->name;
            }
        }
    } else {
        $rows = array_merge(
            $connection->select("select 'C', table_name, column_name, column_type, is_nullable, column_default, extra from information_schema.columns where table_schema = database() order by table_name, ordinal_position"),
            $connection->select("select 'I', table_name, index_name, seq_in_index, column_name, non_unique from information_schema.statistics where table_schema = database() order by table_name, index_name, seq_in_index"),
            $connection->select("select 'F', table_name, constraint_name, referenced_table_name from information_schema.referential_constraints where constraint_schema = database() order by table_name, constraint_name"));
        $tables = array_map(function ($row) { return array_values((array) $row)[0]; },
            $connection->select("select table_name from information_schema.tables where table_schema = database() order by table_name"));
        $rows[] = $tables;
    }
    // The rows too: a step that only deleted or inserted rows (a down() undoing a seed) leaves
    // the schema as it was, and the next migration would run without those rows.
    $rows[] = table_data($connection, $tables);
    return ['hash' => md5(json_encode($rows)), 'tables' => $tables];
}

function table_data($connection, array $tables): array
{
    if (!$tables) {
        return [];
    }
    if ($connection->getDriverName() === 'sqlite') {
        $sums = [];
        foreach ($tables as $table) {
            $quoted = '"' . str_replace('"', '""', $table) . '"';
            $sums[$table] = md5(serialize($connection->select("select * from $quoted")));
        }
        return $sums;
    }
    $quoted = array_map(function ($t) { return '`' . str_replace('`', '``', $t) . '`'; }, $tables);
    return $connection->select('checksum table ' . implode(', ', $quoted));
}

function run_steps_request(array $request, $capsule, array $result): array
{
    $GLOBALS['migration_file'] = isset($request['file']) ? (realpath($request['file']) ?: null) : null;
    $fingerprints = !empty($request['fingerprint']);
    if ($fingerprints) {
        $result['before'] = fingerprint($capsule->getConnection());
        $GLOBALS['partial'] = $result;
    }
    if (empty($request['steps'])) {
        return $result;
    }
    $migration = load_migration($request['file']);
    $resolver = $capsule->getDatabaseManager();
    $result['steps'] = [];
    foreach (array_values($request['steps']) as $index => $method) {
        $GLOBALS['partial'] = $result + ['running' => $method];
        // As Migrator::runMethod: the migration's connection is the default while it runs.
        $previous = $resolver->getDefaultConnection();
        try {
            $name = method_exists($migration, 'getConnection') ? $migration->getConnection() : null;
            $resolver->setDefaultConnection($name ?: $previous);
            // Laravel's Migrator skips a migration without that method (no down()).
            if (method_exists($migration, $method)) {
                $migration->{$method}();
            }
            // The state after the first and the last step is what the caller compares with.
            $edge = $index === 0 || $index === count($request['steps']) - 1;
            $result['steps'][] = ['method' => $method, 'ok' => true]
                + ($fingerprints && $edge ? ['fingerprint' => fingerprint($capsule->getConnection())] : []);
        } catch (Throwable $e) {
            $result['steps'][] = ['method' => $method] + error_info($e)
                + ($fingerprints ? ['fingerprint' => fingerprint($capsule->getConnection())] : []);
            $result['ok'] = false;
            if (empty($request['continue'])) {
                break;
            }
        } finally {
            $resolver->setDefaultConnection($previous);
        }
    }
    return $result;
}

$action = $request['action'] ?? 'schema';
$result = ['ok' => true];
if ($action === 'serve') {
    // A worker: one steps request per line, one answer per line, until stdin closes. A fatal
    // error answers the request it happened in (shutdown function) and ends the worker.
    while (($line = fgets(STDIN)) !== false) {
        $job = json_decode($line, true);
        $GLOBALS['answered'] = false;
        $GLOBALS['partial'] = null;
        try {
            // The database may have been restored under us: a fresh PDO on the same connection.
            $capsule->getDatabaseManager()->reconnect();
            foreach ($request['session'] ?? [] as $sql) {
                $capsule->getConnection()->unprepared($sql);
            }
            $answer = run_steps_request($job, $capsule, ['ok' => true]);
        } catch (Throwable $e) {
            $answer = error_info($e) + ['fatal' => true];
        }
        respond($answer);
        $GLOBALS['answered'] = true;
    }
    exit(0);
}
try {
    if ($action === 'steps') {
        $result = run_steps_request($request, $capsule, $result);
    } elseif ($action === 'replay') {
        // up() of each file in order, as the Migrator would; stops at the first failure.
        $resolver = $capsule->getDatabaseManager();
        foreach ($request['files'] ?? [] as $i => $file) {
            $GLOBALS['migration_file'] = realpath($file) ?: null;
            $migration = load_migration($file);
            $previous = $resolver->getDefaultConnection();
            try {
                $name = method_exists($migration, 'getConnection') ? $migration->getConnection() : null;
                $resolver->setDefaultConnection($name ?: $previous);
                if (method_exists($migration, 'up')) {
                    $migration->up();
                }
            } catch (Throwable $e) {
                $result = error_info($e) + ['failed' => $file];
                break;
            } finally {
                $resolver->setDefaultConnection($previous);
            }
        }
    } elseif ($action === 'query') {
        $result['rows'] = [];
        foreach ($request['sql'] ?? [] as $sql) {
            $rows = preg_match('/^\s*(select|show)\b/i', $sql) ? $connection->select($sql) : [];
            if (!preg_match('/^\s*(select|show)\b/i', $sql)) {
                $connection->statement($sql);
            }
            $result['rows'][] = array_map(function ($row) { return array_values((array) $row); }, $rows);
        }
        answer($result);
    } elseif ($action === 'hold') {
        // The lock lives as long as this connection: until the caller closes our stdin or dies.
        $got = $connection->select('select get_lock(?, 0) as got', [$request['lock']])[0]->got;
        while (ob_get_level() > 0) {
            ob_end_clean();
        }
        $GLOBALS['answered'] = true;
        fwrite(STDOUT, json_encode(['ok' => (int) $got === 1]) . "\n");
        fflush(STDOUT);
        while (!feof(STDIN)) {
            fread(STDIN, 8192);
        }
        exit(0);
    } elseif ($action === 'migrate') {
        $repository = new DatabaseMigrationRepository($capsule->getDatabaseManager(), 'migrations');
        if (!$repository->repositoryExists()) {
            $repository->createRepository();
        }
        $migrator = new Migrator($repository, $capsule->getDatabaseManager(), new Filesystem());
        $files = array_keys($migrator->getMigrationFiles([$request['path']]));
        $before = $repository->getRan();
        $pending = array_values(array_diff($files, $before));
        try {
            $migrator->run([$request['path']]);
        } catch (Throwable $e) {
            $result = error_info($e);
        }
        $after = $repository->getRan();
        $result['ran'] = array_values(array_intersect($pending, $after));
        $left = array_values(array_diff($pending, $after));
        $result['failed_migration'] = $result['ok'] ? null : ($left[0] ?? null);
        $result['pending'] = $result['ok'] ? [] : array_slice($left, 1);
    }
} catch (Throwable $e) {
    $result = error_info($e) + ['fatal' => true];
}
if ($action === 'query' || $action === 'hold' || (($request['tables'] ?? true) === false)) {
    answer($result);
}
try {
    $result += tables($connection);
} catch (Throwable $e) {
    $result['tables_error'] = $e->getMessage();
}
answer($result);
