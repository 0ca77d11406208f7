from transmit.cli import main

raise SystemExit(main())
