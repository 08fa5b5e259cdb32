from migrate_lint.cli import main

main()
