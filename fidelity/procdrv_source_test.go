package fidelity

// procDriverSource is the process test's driver, in C so that a signal's
// disposition is exactly what the test asks for (a Go program's runtime
// installs handlers for every signal before main). It runs as pid 1 of a
// private pid and mount namespace, forks child helpers with the
// dispositions each command gives (installed at once or when told), and
// answers one line per command: fork, install, kill, pidfd, pidfdkill,
// setpgid, wait, last (ns_last_pid), pidmax, snap (every child's state,
// process group and caught signals, after the signals have settled).
const procDriverSource = `// procdrv: the fidelity test's driver. It runs as pid 1 of a private pid
// (and mount) namespace, forks child helpers whose signal dispositions the
// test chooses, and runs one command per stdin line, answering one line.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXP 64
static int ackr, ackw;
static pid_t pids[MAXP];
static int reaped[MAXP], installed[MAXP], ctl[MAXP], pidfds[MAXP];
static char caught[MAXP][256];
static int nproc, me;

static void on_stop(int sig) { (void)sig; _exit(0); }
static void on_other(int sig) {
	unsigned char b[2] = {(unsigned char)me, (unsigned char)sig};
	ssize_t r = write(ackw, b, 2);
	(void)r;
}

static void set(int sig, void (*h)(int)) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = h;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

// each applies fn to every signal number of a comma list ("-": none).
static void each(char *list, void (*h)(int)) {
	if (strcmp(list, "-") == 0) return;
	for (char *s = strtok(list, ","); s; s = strtok(NULL, ",")) set(atoi(s), h);
}

static void child(int idx, int late, int ctlr, char term, char *handle, char *ignore) {
	me = idx;
	if (late) {
		char c;
		while (read(ctlr, &c, 1) < 0 && errno == EINTR) {}
	}
	each(handle, on_other);
	each(ignore, SIG_IGN);
	void (*stop)(int) = term == 'h' ? on_stop : term == 'i' ? SIG_IGN : SIG_DFL;
	set(SIGTERM, stop);
	set(SIGINT, stop);
	unsigned char b[2] = {(unsigned char)idx, 0};
	ssize_t r = write(ackw, b, 2);
	(void)r;
	for (;;) pause();
}

static void drain(void) {
	unsigned char b[2];
	while (read(ackr, b, 2) == 2) {
		if (b[1] == 0) installed[b[0]]++;
		else sprintf(caught[b[0]] + strlen(caught[b[0]]), "%s%d", caught[b[0]][0] ? "," : "", b[1]);
	}
}

static void msleep(int ms) {
	struct timespec ts = {0, ms * 1000000L};
	nanosleep(&ts, NULL);
}

// stat reads a process's state letter and process group; 0 when gone.
static char stat(pid_t pid, int *pgrp) {
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	int fd = open(path, O_RDONLY);
	if (fd < 0) return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0) return 0;
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	char st = 0;
	int ppid = 0, pg = 0;
	if (!p || sscanf(p + 2, "%c %d %d", &st, &ppid, &pg) != 3) return 0;
	if (pgrp) *pgrp = pg;
	return st;
}

// pending reports whether a process has a signal pending.
static int pending(pid_t pid) {
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	FILE *f = fopen(path, "r");
	if (!f) return 0;
	int any = 0;
	while (fgets(line, sizeof line, f))
		if ((!strncmp(line, "SigPnd:", 7) || !strncmp(line, "ShdPnd:", 7)) && strtoull(line + 7, NULL, 16) != 0) any = 1;
	fclose(f);
	return any;
}

// settle waits until every child has acted on its signals: gone, a zombie,
// stopped, or asleep with nothing pending.
static int settle(void) {
	for (int tries = 0; tries < 5000; tries++) {
		int busy = 0;
		for (int i = 0; i < nproc; i++) {
			if (reaped[i] || pids[i] <= 0) continue;
			char st = stat(pids[i], NULL);
			if (st == 0 || st == 'Z' || st == 'T' || st == 't') continue;
			if (st != 'S' || pending(pids[i])) busy = 1;
		}
		if (!busy) {
			drain();
			return 0;
		}
		msleep(1);
	}
	return -1;
}

static int await_installed(int idx) {
	for (int tries = 0; tries < 5000; tries++) {
		drain();
		if (installed[idx]) return 0;
		msleep(1);
	}
	return -1;
}

static int writefile(const char *path, long v) {
	FILE *f = fopen(path, "w");
	if (!f) return -1;
	int r = fprintf(f, "%ld", v) < 0;
	if (fclose(f) != 0 || r) return -1;
	return 0;
}

static int idxof(pid_t pid) {
	for (int i = 0; i < nproc; i++)
		if (!reaped[i] && pids[i] == pid) return i;
	return -1;
}

static void result(int r) {
	if (r < 0) printf("err %d\n", errno);
	else printf("ok\n");
}

int main(void) {
	int p[2];
	// Start from the kernel's defaults whatever the test runs under: nohup
	// ignores SIGHUP, and an ignored disposition or a blocked signal
	// survives fork and exec, into the children the simulation is held to.
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP) signal(s, SIG_DFL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 0; i < MAXP; i++) pidfds[i] = -1;
	setsid();
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0 || pipe(p) < 0) {
		printf("setup failed: %s\n", strerror(errno));
		return 1;
	}
	ackr = p[0], ackw = p[1];
	fcntl(ackr, F_SETFL, O_NONBLOCK);
	printf("ready %d\n", getpid());
	char line[512], op[32], a[64], b[64], c[64], d[256], e[256];
	while (fgets(line, sizeof line, stdin)) {
		int n = sscanf(line, "%31s %63s %63s %63s %255s %255s", op, a, b, c, d, e);
		errno = 0;
		if (!strcmp(op, "fork") && n == 6) {
			int idx = atoi(a), late = atoi(b), cp[2];
			if (pipe(cp) < 0) { result(-1); continue; }
			pid_t pid = fork();
			if (pid == 0) {
				close(cp[1]);
				child(idx, late, cp[0], c[0], d, e);
			}
			close(cp[0]);
			if (pid < 0) { close(cp[1]); result(-1); continue; }
			pids[idx] = pid, ctl[idx] = cp[1], nproc = idx + 1;
			if (!late && await_installed(idx) < 0) { printf("timeout\n"); continue; }
			printf("pid %d\n", pid);
		} else if (!strcmp(op, "install") && n == 2) {
			int idx = atoi(a);
			if (write(ctl[idx], "x", 1) != 1 || await_installed(idx) < 0) printf("timeout\n");
			else printf("ok\n");
		} else if (!strcmp(op, "kill") && n == 3) {
			int r = kill(atoi(a), atoi(b));
			int en = errno;
			if (settle() < 0) { printf("timeout\n"); continue; }
			errno = en;
			result(r);
		} else if (!strcmp(op, "pidfd") && n == 3) {
			int fd = syscall(SYS_pidfd_open, atoi(b), 0);
			if (fd >= 0) pidfds[atoi(a)] = fd;
			result(fd);
		} else if (!strcmp(op, "pidfdkill") && n == 3) {
			int r = syscall(SYS_pidfd_send_signal, pidfds[atoi(a)], atoi(b), NULL, 0);
			int en = errno;
			if (settle() < 0) { printf("timeout\n"); continue; }
			errno = en;
			result(r);
		} else if (!strcmp(op, "setpgid") && n == 3) {
			result(setpgid(atoi(a), atoi(b)));
		} else if (!strcmp(op, "wait") && n == 2) {
			int st;
			pid_t pid = atoi(a), r = waitpid(pid, &st, WNOHANG);
			if (r == pid) {
				int i = idxof(pid);
				if (i >= 0) reaped[i] = 1;
				printf("reaped\n");
			} else if (r == 0) printf("running\n");
			else result(-1);
		} else if (!strcmp(op, "last") && n == 2) {
			result(writefile("/proc/sys/kernel/ns_last_pid", atol(a)));
		} else if (!strcmp(op, "pidmax") && n == 2) {
			result(writefile("/proc/sys/kernel/pid_max", atol(a)));
		} else if (!strcmp(op, "snap") && n == 1) {
			drain();
			printf("snap");
			for (int i = 0; i < nproc; i++) {
				int pg = 0;
				char st = reaped[i] ? 0 : stat(pids[i], &pg);
				siginfo_t si;
				memset(&si, 0, sizeof si);
				if (st == 'Z' && waitid(P_PID, pids[i], &si, WEXITED | WNOHANG | WNOWAIT) == 0)
					printf(" %d:%s%d:%d", i, si.si_code == CLD_EXITED ? "exit" : "sig", si.si_status, pg);
				else if (st == 0) printf(" %d:gone:0", i);
				else printf(" %d:%s:%d", i, st == 'T' || st == 't' ? "stop" : "run", pg);
				printf(":%s", caught[i][0] ? caught[i] : "-");
			}
			printf("\n");
		} else {
			printf("bad command: %s", line);
		}
	}
	return 0;
}
`
