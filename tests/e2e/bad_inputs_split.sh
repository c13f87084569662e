#!/bin/sh
# bad_inputs_split.sh - the bad-input catalogue again with every CSV file loaded as two halves on two threads.
#
# HEALTHCAL_SPLIT_MIN_BYTES=1 makes even the catalogue's small files take the
# two-core load path (csv_load.c), which must report the same errors, with
# the same file, line, column and message, as the sequential load that
# bad_inputs.sh exercises by default.
HEALTHCAL_SPLIT_MIN_BYTES=1
export HEALTHCAL_SPLIT_MIN_BYTES
exec sh "$(dirname "$0")/bad_inputs.sh"
