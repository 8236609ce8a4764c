from storymatch.cli import main

main()
