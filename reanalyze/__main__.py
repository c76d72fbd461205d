import sys

from reanalyze.cli import main

sys.exit(main())
