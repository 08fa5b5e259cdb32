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

function answer(array $data)
{
    while (ob_get_level() > 0) {
        ob_end_clean();
    }
    fwrite(STDOUT, json_encode($data, JSON_UNESCAPED_SLASHES | JSON_PARTIAL_OUTPUT_ON_ERROR | JSON_INVALID_UTF8_SUBSTITUTE) . "\n");
    exit(0);
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
            'driver_code' => $code, 'exception' => get_class($e)];
}

$request = json_decode(stream_get_contents(STDIN), true);
if (!is_array($request)) {
    answer(['ok' => false, 'error' => 'the request is not a JSON object', 'fatal' => true]);
}

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
    if (!isset($request['autoload'])) {
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
    $connection = $capsule->getConnection();
    foreach ($request['setup'] ?? [] as $sql) {
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

$action = $request['action'] ?? 'schema';
$result = ['ok' => true];
try {
    if ($action === 'steps') {
        $migration = load_migration($request['file']);
        $resolver = $capsule->getDatabaseManager();
        $result['steps'] = [];
        foreach ($request['steps'] ?? ['up'] as $method) {
            // As Migrator::runMethod: the migration's connection is the default while it runs.
            $previous = $resolver->getDefaultConnection();
            try {
                $name = method_exists($migration, 'getConnection') ? $migration->getConnection() : null;
                $resolver->setDefaultConnection($name ?: $previous);
                // Laravel's Migrator skips a migration without that method (no down()).
                if (method_exists($migration, $method)) {
                    $migration->{$method}();
                }
                $result['steps'][] = ['method' => $method, 'ok' => true];
            } catch (Throwable $e) {
                $result['steps'][] = ['method' => $method] + error_info($e);
                $result['ok'] = false;
                if (empty($request['continue'])) {
                    break;
                }
            } finally {
                $resolver->setDefaultConnection($previous);
            }
        }
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
try {
    $result += tables($connection);
} catch (Throwable $e) {
    $result['tables_error'] = $e->getMessage();
}
answer($result);
