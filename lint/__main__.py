from migrate_lint.entry import main

main()
