"""A repository's config and templates are untrusted: they may run no code and reach no file
outside the project (issue 12, item 13)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

MIGRATION = "<?php\nSchema::create('t', function ($t) { $t->id(); });\n"


def ml(*args, cwd):
    return subprocess.run([sys.executable, "-m", "migrate_lint", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def project(tmp_path, template: str, name="create-table-guard.php.j2"):
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / name).write_text(template)
    (tmp_path / ".migrate-lint.toml").write_text('template-dir = "tpl"\n')
    path = tmp_path / "m.php"
    path.write_text(MIGRATION)
    return path


def _touch(marker) -> str:
    return f"touch {marker}"


# Each payload would create the marker file if it ran; the sandbox must refuse it.
PAYLOADS = [
    "{{{{ cycler.__init__.__globals__.os.system('{cmd}') }}}}",
    "{{{{ joiner.__init__.__globals__.os.popen('{cmd}').read() }}}}",
    "{{{{ namespace.__init__.__globals__.os.system('{cmd}') }}}}",
    "{{{{ lipsum.__globals__['os'].system('{cmd}') }}}}",
    "{{{{ lipsum.__globals__.__builtins__.__import__('os').system('{cmd}') }}}}",
    "{{% for c in ''.__class__.__mro__[1].__subclasses__() %}}{{% if c.__name__ == 'Popen' %}}"
    "{{{{ c('{cmd}', shell=True) }}}}{{% endif %}}{{% endfor %}}",
    "{{{{ ''.__class__.__mro__[1].__subclasses__() }}}}{{{{ '{cmd}' }}}}",
    "{{{{ self._TemplateReference__context.cycler.__init__.__globals__.os.system('{cmd}') }}}}",
    "{{{{ self.__init__.__globals__.__builtins__.exec(\"import os; os.system('{cmd}')\") }}}}",
    "{{{{ request.application.__globals__.__builtins__.__import__('os').system('{cmd}') }}}}",
    "{{{{ config.items() }}}}{{{{ config.__class__.__init__.__globals__['os'].system('{cmd}') }}}}",
    "{{{{ range.__self__.__import__('os').system('{cmd}') }}}}",
    "{{{{ (dict.mro()[-1].__subclasses__()) }}}}{{{{ '{cmd}' }}}}",
    "{{{{ '{cmd}'.format.__self__.__class__ }}}}",
    "{{% set x = [].append('{cmd}') %}}",
    "{{{{ ('a' * 100000000) }}}}{{{{ '{cmd}' }}}}",
    "{{{{ 10 ** 100000000 }}}}{{{{ '{cmd}' }}}}",
]


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("mode", ["--diff", "--fix", "--format=sarif"])
def test_template_escape_payloads_fail_clearly_and_run_nothing(tmp_path, payload, mode):
    marker = tmp_path / "pwned"
    path = project(tmp_path, payload.format(cmd=_touch(marker)))
    proc = ml(mode, "m.php", cwd=tmp_path)
    assert not marker.exists()
    assert proc.returncode == 2, proc.stderr
    error = proc.stderr.strip().splitlines()
    assert len(error) == 1 and "create-table-guard.php.j2" in error[0], proc.stderr
    assert "Traceback" not in proc.stderr
    assert path.read_text() == MIGRATION


def test_an_ordinary_template_still_renders_in_the_sandbox(tmp_path):
    path = project(tmp_path, "if (! {{ schema }}hasTable({{ table }})) { // {{ table | upper }}"
                             "{{ newline }}{{ statement }}{{ newline }}{{ indent }}}")
    proc = ml("--fix", "m.php", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "if (! Schema::hasTable('t')) { // 'T'\n" in path.read_text()


def test_a_template_symlinked_to_a_file_outside_its_directory_is_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    path = project(tmp_path, "unused")
    (tmp_path / "tpl" / "create-table-guard.php.j2").unlink()
    os.symlink(secret, tmp_path / "tpl" / "create-table-guard.php.j2")
    proc = ml("--diff", "m.php", cwd=tmp_path)
    assert "TOP SECRET" not in proc.stdout + proc.stderr
    # The built-in template is used instead.
    assert "if (! Schema::hasTable('t')) {" in proc.stdout
    assert path.read_text() == MIGRATION


@pytest.mark.parametrize("key", ["template-dir", "cache-dir"])
@pytest.mark.parametrize("value", ["..", "/tmp", "../elsewhere", "link"])
def test_config_directories_must_stay_inside_the_project(tmp_path, key, value):
    root = tmp_path / "repo"
    root.mkdir()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    os.symlink(outside, root / "link")
    (root / ".migrate-lint.toml").write_text(f'{key} = "{value}"\n')
    (root / "m.php").write_text(MIGRATION)
    proc = ml("--diff", "m.php", cwd=root)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and f"`{key}`" in proc.stderr, proc.stderr
    assert "outside the project" in proc.stderr
    assert os.listdir(outside) == []


def test_config_directories_inside_the_project_are_accepted(tmp_path):
    (tmp_path / ".migrate-lint.toml").write_text('cache-dir = "build/cache"\n'
                                                'template-dir = "tpl"\n')
    (tmp_path / "tpl").mkdir()
    (tmp_path / "m.php").write_text(MIGRATION)
    proc = ml("m.php", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert (tmp_path / "build" / "cache").is_dir()


def test_a_default_cache_symlinked_outside_the_project_is_not_written(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    os.symlink(outside, root / ".migrate-lint-cache")
    (root / "m.php").write_text(MIGRATION)
    proc = ml("m.php", cwd=root)
    assert proc.returncode == 1
    assert "not using the cache" in proc.stderr
    assert os.listdir(outside) == []
