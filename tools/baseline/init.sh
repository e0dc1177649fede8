#!/bin/sh
# /init of the Linux baseline initramfs (installed by mkinitramfs.sh).
# Runs /bench with the arguments given on the kernel command line as
#   bench.args=ARG[,ARG...]      (commas separate arguments; no spaces)
# prints its output on the console, then powers the machine off.
PATH=/bin
export PATH
busybox mount -t proc proc /proc
busybox mount -t sysfs sysfs /sys
busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
args=
for w in $(busybox cat /proc/cmdline); do
	case "$w" in
	bench.args=*) args=${w#bench.args=} ;;
	esac
done
IFS=,
set -- $args
unset IFS
echo "# uname: $(busybox uname -r -v -m)"
echo "# bench args: $*"
/bench "$@"
echo "# bench exit status: $?"
# How the kernel calibrated its clocks (it estimates the CPU frequency against the RTC at
# boot; see run.py on -rtc clock=vm) and which timer interrupted how often.
echo "# kernel clock: $(busybox dmesg | busybox grep -o 'CPU frequency [0-9.]* MHz')"
busybox grep -E ' timer$' /proc/interrupts | while read -r n c rest; do
	echo "# timer interrupts: irq $n $c ($rest)"
done
# The timer the kernel chose: its clocksource and clock-event device (sysfs), and its
# clocksource messages (e.g. "clocksource: Switched to clocksource MIPS"; `quiet` keeps
# them off the console, so they are read back from the kernel log).
cs=$(busybox cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)
[ -n "$cs" ] && echo "# clocksource: $cs"
ce=$(busybox cat /sys/devices/system/clockevents/clockevent0/current_device 2>/dev/null)
[ -n "$ce" ] && echo "# clockevent: $ce"
busybox dmesg | busybox grep -i clocksource | while read -r l; do
	echo "# clocksource log: $l"
done
busybox sync
busybox poweroff -f
# poweroff -f should not return; if it does, say so and stop here.
echo "# poweroff failed"
while :; do busybox sleep 1000; done
