"""``python -m questionnaire``: the same command line as the ``questionnaire`` script."""

from questionnaire.cli import main

main(prog_name="questionnaire")
