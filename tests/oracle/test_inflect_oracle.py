"""lint/model/inflect.py against Laravel's own Str::plural (Debian's illuminate/support with
doctrine/inflector): the table `->constrained()` derives from a column's name."""

from __future__ import annotations

import json
import subprocess

from migrate_lint.model.inflect import plural

WORDS = ["user", "status", "category", "person", "child", "box", "leaf", "data", "company",
         "address", "hero", "knife", "analysis", "index", "matrix", "quiz", "bus", "case_note",
         "service_case", "sla_policy", "business_hour", "medium", "criterion", "audio", "news",
         "team_user", "software", "mouse", "ox", "search", "campus", "alias", "octopus", "man",
         "woman", "sales_person", "tax", "wife", "life", "half", "day", "key", "photo", "tomato",
         "equipment", "information", "fish", "sheep", "series", "species", "goose", "tooth",
         "foot", "cactus", "crisis", "thesis", "axis", "virus", "movie", "shoe", "cookie",
         "invoice_item", "order_status", "user_address", "billing_info", "metadata", "feedback",
         "firmware", "city", "story", "toy", "zombie", "wave", "valve", "cache", "hive", "gulf",
         "proof", "roof", "safe", "staff", "chef", "chief", "belief", "half_day", "vertex"]


def test_plural_matches_laravel(php_ready):
    code = ("require 'Illuminate/Support/autoload.php';"
            "echo json_encode(array_map(fn ($w) => Illuminate\\Support\\Str::plural($w), "
            "json_decode($argv[1])));")
    out = subprocess.run(["php", "-r", code, json.dumps(WORDS)], capture_output=True, text=True,
                         check=True).stdout
    laravel = dict(zip(WORDS, json.loads(out)))
    assert {w: plural(w) for w in WORDS} == laravel
