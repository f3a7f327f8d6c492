"""Before anything is imported: the tests keep no learner progress file (course_utils.progress).

Set here, at the root, so that it holds for every module the test command imports (the
doctests of course_utils included) and for the kernels the tests start; the tests of the
progress file switch it on for themselves, in a temporary folder.
"""

import os

os.environ["COURSE_PROGRESS"] = "off"
