"""``python -m case_images`` (run from ``scripts/``): same as generate_case_images.py."""
import sys

from .cli import main

sys.exit(main())
