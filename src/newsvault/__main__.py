if __name__ == "__main__":  # not when a worker process (spawn) imports this module
    from newsvault.cli import main

    main()
