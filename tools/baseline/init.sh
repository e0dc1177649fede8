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
# The boots with NICs (the network rows: tools/qemu.py nics(2); tools/bench_http.py) have
# PCnets (PCI 1022:2000), whose driver is a module of this kernel.
for d in /sys/bus/pci/devices/*; do
	if [ "$(busybox cat $d/vendor)" = 0x1022 ] && [ "$(busybox cat $d/device)" = 0x2000 ]; then
		busybox insmod /lib/modules/mii.ko && busybox insmod /lib/modules/pcnet32.ko
		break
	fi
done
args=
http=
for w in $(busybox cat /proc/cmdline); do
	case "$w" in
	bench.args=*) args=${w#bench.args=} ;;
	bench.http=1) http=1 ;;
	esac
done
# tools/bench_http.py: serve /www with busybox httpd on QEMU's user network (the guest is
# 10.0.2.15) until QEMU is killed.
if [ -n "$http" ]; then
	busybox ifconfig lo 127.0.0.1 up
	busybox ifconfig eth0 10.0.2.15 netmask 255.255.255.0 up
	busybox route add default gw 10.0.2.2
	busybox httpd -p 80 -h /www
	echo "# httpd ready"
	while :; do busybox sleep 1000; done
fi
IFS=,
set -- $args
unset IFS
echo "# uname: $(busybox uname -r -v -m)"
echo "# bench args: $*"
# The storage rows' boots (tools/bench_storage.py: bench.disk=ext2 or ext4, an image on
# the IDE primary master, modules appended to the initramfs): load the PIIX4's IDE
# driver and ext4 in the order of /lib/modules/storage.list (tools/baseline/modules.sh),
# wait for the disk (the SCSI scan is asynchronous) and mount it on /mnt, noatime.
disk=$(busybox sed -n 's/.*bench[.]disk=\([a-z0-9]*\).*/\1/p' /proc/cmdline)
if [ -n "$disk" ]; then
	for m in $(busybox cat /lib/modules/storage.list); do
		busybox insmod /lib/modules/$m || echo "# insmod $m failed"
	done
	n=0
	while [ ! -b /dev/sda ] && [ $n -lt 30 ]; do busybox sleep 1; n=$((n + 1)); done
	busybox mkdir -p /mnt
	busybox mount -t "$disk" -o noatime /dev/sda /mnt || echo "# mount of /dev/sda ($disk) failed"
	echo "# disk mount: $(busybox grep ' /mnt ' /proc/mounts)"
	busybox dmesg | busybox grep -E 'ata[0-9]|EXT4-fs|sd 0:' | while read -r l; do
		echo "# disk log: $l"
	done
fi
/bench "$@"
echo "# bench exit status: $?"
# On the network rows' boots: the frames NIC 0 carried (the udp rows' datagrams cross the
# wire; NIC 1 is in the benchmark's other network namespace, gone with it).
if [ -e /sys/class/net/eth0/statistics ]; then
	echo "# nic packets: eth0 tx $(busybox cat /sys/class/net/eth0/statistics/tx_packets) rx $(busybox cat /sys/class/net/eth0/statistics/rx_packets)"
fi
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
