import sys

from wenming.ops.cli import main

sys.exit(main())
