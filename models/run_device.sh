#!/usr/bin/env bash
# Trains octet's four CNNs on one GPU, one process per model (they are far too
# small to fill the GPU, so four run side by side), then merges their outputs
# and quantizes octet's LeNet. Used on the device machine (one H200):
#   bash models/run_device.sh smoke "$OUT" && bash models/run_device.sh full "$OUT"
# smoke: 1 epoch on 2,048 images, every export/quantization step, 1,000 test images;
# writes $2/smoke.log, $2/smoke.tar.gz.
# full:  writes $2/full.log, $2/models.tar.gz (everything), and $2/part-<model>.tar.gz
#        after each model (so a run stopped early still returns what finished).
# PY and EXTRA (extra flags, e.g. --no-ort) can be set for local checks.
set -uo pipefail
mode=$1
out=${2:?output folder}
PY=${PY:-python3}
EXTRA=${EXTRA:-}
S=models/train_cnns.py
export PYTHONUNBUFFERED=1
flag=""
[ "$mode" = smoke ] && flag=--smoke
work=/tmp/cnn-$mode
rm -rf "$work"
mkdir -p "$work/parts" "$out"
log="$out/$mode.log"
pids=()
for m in resnet-mnist mobilenet-mnist squeezenet-mnist senet-fashion; do
  tar=()
  [ "$mode" = full ] && tar=(--tar "$out/part-$m.tar.gz")
  $PY $S $flag $EXTRA --models $m --lenet '' --out "$work/parts/$m" "${tar[@]}" >>"$log" 2>&1 &
  pids+=($!)
done
fail=0
for p in "${pids[@]}"; do wait "$p" || fail=1; done
final=models
[ "$mode" = smoke ] && final=smoke
$PY $S $flag $EXTRA --merge "$work/parts" --models '' --lenet models/lenet.onnx --out "$work/final" \
  --tar "$out/$final.tar.gz" >>"$log" 2>&1 || fail=1
grep -E "top-1|FAILED|Error|error|WARNING|done in|params|dynamo|-bn ops|merge" "$log" | grep -v "^versions:" | tail -80
echo "run_device.sh $mode: exit $fail"
exit $fail
