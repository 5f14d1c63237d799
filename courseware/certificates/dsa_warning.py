"""Hide one warning that is not ours.

pyHanko imports cryptography's DSA classes to recognise DSA keys, which
cryptography 51 deprecates on access: every start printed a warning about an
algorithm courseware never uses (its keys are RSA). Only that warning is hidden.
"""

import warnings

from cryptography.utils import CryptographyDeprecationWarning

warnings.filterwarnings("ignore", message="DSA is deprecated", category=CryptographyDeprecationWarning)
