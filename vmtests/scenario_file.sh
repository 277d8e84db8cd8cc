# shellcheck shell=bash
# scenario_file NAME: the file of a VM scenario, for the host runner and for the guest.
# demo is vmtests/demo.sh; bench-* are the benchmarks' VM parts (bench/vm/, run by bench/run,
# not by scripts/test); everything else is a test scenario in vmtests/scenarios/.
scenario_file() {
  case $1 in
    demo) echo "$XGW_ROOT/vmtests/demo.sh" ;;
    bench-*) echo "$XGW_ROOT/bench/vm/$1.sh" ;;
    *) echo "$XGW_ROOT/vmtests/scenarios/$1.sh" ;;
  esac
}
