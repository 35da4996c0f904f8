from datadeed.cli import main

main()
