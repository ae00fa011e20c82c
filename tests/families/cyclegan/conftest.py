"""The cyclegan tests also use the pix2pix folder's tiny models: some checks cover both translation families."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "pix2pix"))
