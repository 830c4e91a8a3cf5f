#!/usr/bin/env bash
# Train with N processes on this machine through torchrun (one per GPU, or CPU processes
# with the gloo backend when there is no GPU); PYTHON names the interpreter (default: python):
#   bash tools/dist_train.sh CONFIG N [tools/train.py options ...]
set -euo pipefail
if [ $# -lt 2 ]; then
    echo "usage: $0 CONFIG NUM_PROCESSES [train.py options]" >&2
    exit 2
fi
CONFIG=$1
NPROC=$2
shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
PORT=${PORT:-29500}
exec "${PYTHON:-python}" -m torch.distributed.run --nnodes=1 --nproc_per_node="$NPROC" \
    --master_addr=127.0.0.1 --master_port="$PORT" \
    "$HERE/train.py" "$CONFIG" --launcher pytorch "$@"
