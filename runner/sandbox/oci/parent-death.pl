#!/usr/bin/perl
# The kernel's parent-death signal (prctl PR_SET_PDEATHSIG) for the runner's
# helper processes, so that nothing they started outlives a runner that dies,
# however it dies (kill -9 included). Two uses:
#  - a library: launcher.pl requires it for set_parent_death_signal();
#  - a wrapper: `perl parent-death.pl SIGNAL PARENT-PID COMMAND ARG...` runs
#    COMMAND so that it gets SIGNAL when PARENT-PID, its parent, dies (e.g. the
#    Podman API service the docker driver starts; see ../docker/engine.ts).
#
# The signal is sent when the parent *thread* ends, not the whole process:
# fine for a child of the runner's main thread or of a perl process (one
# thread each), wrong for a child of a Go program such as runc (see bundle.ts).
use strict;
use warnings;
use Config;
use POSIX ();

# prctl's number per architecture (perl-base has no syscall.ph).
my %PRCTL = (x86_64 => 157, aarch64 => 167, riscv64 => 167, ppc64 => 171, ppc64le => 171, s390x => 172, i386 => 172, i686 => 172, arm => 172);
use constant PR_SET_PDEATHSIG => 1;

sub prctl_number {
    my ($arch) = $Config{archname} =~ /^([^-]+)/;
    return $PRCTL{$arch} if defined $arch && exists $PRCTL{$arch};
    my $number = eval { require 'syscall.ph'; &SYS_prctl() };
    return $number if defined $number;
    die "parent-death.pl: no prctl system call number known for $Config{archname}\n";
}

# Asks for `signal` when our parent dies; true if the parent (pid `parent`)
# was already gone by then, as the request came too late to be signalled.
sub set_parent_death_signal {
    my ($signal, $parent) = @_;
    syscall(prctl_number(), PR_SET_PDEATHSIG, $signal) == 0 or die "parent-death.pl: prctl: $!\n";
    return defined $parent && getppid() != $parent;
}

unless (caller) {
    my ($name, $parent, @command) = @ARGV;
    die "usage: parent-death.pl SIGNAL PARENT-PID COMMAND ARG...\n" unless defined $parent && @command;
    my $number = $name =~ /^[A-Z0-9]+$/ && POSIX->can("SIG$name");
    die "parent-death.pl: unknown signal $name\n" unless $number;
    my $signal = $number->();
    exit 0 if set_parent_death_signal($signal, $parent);
    exec { $command[0] } @command or die "parent-death.pl: cannot run $command[0]: $!\n";
}

1;
