package terminal

import "syscall"

const ioctlReadTermios = syscall.TIOCGETA
