import sys

from wenming.cli import main

sys.exit(main())
