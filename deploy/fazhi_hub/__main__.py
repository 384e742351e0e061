from fazhi.hub.app import main

main()
