#!/usr/bin/env bash
# Test with N processes on this machine through torchrun (one per GPU, or CPU processes
# with the gloo backend when there is no GPU); PYTHON names the interpreter (default: python):
#   bash tools/dist_test.sh CONFIG CHECKPOINT N [tools/test.py options ...]
set -euo pipefail
if [ $# -lt 3 ]; then
    echo "usage: $0 CONFIG CHECKPOINT NUM_PROCESSES [test.py options]" >&2
    exit 2
fi
CONFIG=$1
CHECKPOINT=$2
NPROC=$3
shift 3
HERE=$(cd "$(dirname "$0")" && pwd)
PORT=${PORT:-29500}
exec "${PYTHON:-python}" -m torch.distributed.run --nnodes=1 --nproc_per_node="$NPROC" \
    --master_addr=127.0.0.1 --master_port="$PORT" \
    "$HERE/test.py" "$CONFIG" "$CHECKPOINT" --launcher pytorch "$@"
