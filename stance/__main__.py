import sys

from stance.cli import main

sys.exit(main())
