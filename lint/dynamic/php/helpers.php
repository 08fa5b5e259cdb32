<?php
// Global helpers from Laravel's Foundation package that migrations call; Debian's
// php-illuminate-database does not ship them. A project's own autoloader defines the real ones.

use Illuminate\Container\Container;

if (!function_exists('app')) {
    function app($abstract = null, array $parameters = [])
    {
        return $abstract === null ? Container::getInstance() : Container::getInstance()->make($abstract, $parameters);
    }
}

if (!function_exists('config')) {
    function config($key = null, $default = null)
    {
        return $default;
    }
}

if (!function_exists('rescue')) {
    function rescue(callable $callback, $rescue = null, $report = true)
    {
        try {
            return $callback();
        } catch (Throwable $e) {
            return $rescue instanceof Closure ? $rescue($e) : $rescue;
        }
    }
}

if (!function_exists('now')) {
    function now($tz = null)
    {
        return new DateTime('now', $tz ? new DateTimeZone($tz) : null);
    }
}

if (!function_exists('bcrypt')) {
    function bcrypt($value, $options = [])
    {
        return password_hash($value, PASSWORD_BCRYPT, ['cost' => $options['rounds'] ?? 10]);
    }
}
