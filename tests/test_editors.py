"""The editor integrations that ship as files: the VS Code extension package.

scripts/test builds the .vsix with npm and `vsce package` and names it in MIGRATE_LINT_VSIX;
in CI a missing package is a failure, never a skip.
"""

from __future__ import annotations

import json
import os
import zipfile

import pytest


def _vsix():
    path = os.environ.get("MIGRATE_LINT_VSIX")
    if not path:
        if os.environ.get("CI") == "true":
            pytest.fail("MIGRATE_LINT_VSIX is not set: scripts/test did not package the extension")
        pytest.skip("the VS Code extension was not packaged (scripts/test does it when npm is "
                    "installed)")
    return zipfile.ZipFile(path)


def test_vscode_extension_package_declares_limited_trust_and_ships_its_client():
    with _vsix() as z:
        names = set(z.namelist())
        manifest = json.loads(z.read("extension/package.json"))
        main = z.read("extension/extension.js").decode()
    trust = manifest["capabilities"]["untrustedWorkspaces"]
    assert trust["supported"] == "limited"
    assert trust["restrictedConfigurations"] == ["migrateLint.path"]
    assert manifest["main"] == "./extension.js"
    assert "extension/node_modules/vscode-languageclient/package.json" in names
    assert '"server"' in main and "workspaceTrusted: vscode.workspace.isTrusted" in main
    assert manifest["activationEvents"] == ["onLanguage:php"]
