// A seccomp filter that traps every system call of the thread that installs
// it, so that a test can prove a stretch of code makes none.
//
//   SyscallTrap::install();        // this thread only; cannot be undone
//   ... code under test ...
//   SyscallTrap::exit_thread();    // the one call the filter lets through
//
// A trapped call is not run: the SIGSYS handler counts it, remembers its
// number and makes it return -ENOSYS, so the code goes on and the test can
// say which calls it saw instead of dying on the first.  Only the calling
// thread is filtered (no SECCOMP_FILTER_FLAG_TSYNC): the sender, the test
// broker and gtest's main thread run unfiltered.
//
// Everything a thread does after install() is trapped, exiting included
// (glibc's thread exit runs destructors, madvise and futex calls), so the
// thread ends with exit_thread(): a raw exit(2), which the filter allows.
// pthread_join still works: the kernel clears the thread id and wakes the
// joiner itself (CLONE_CHILD_CLEARTID).  The thread's thread_local
// destructors do not run; a test thread must not need them.
#pragma once

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <string>

namespace ringkafka::test {

class SyscallTrap {
 public:
  static constexpr std::size_t kRemembered = 16;

  // Installs the SIGSYS handler (process-wide, harmless to others) and the
  // filter on the calling thread.  Empty on success, else why not.
  static std::string install() {
    struct sigaction sa {};
    sa.sa_sigaction = &on_sigsys;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSYS, &sa, nullptr) != 0) return "sigaction(SIGSYS) failed";
    // Let through only rt_sigreturn (the handler's own return) and exit
    // (exit_thread()); trap the rest.  Calls of another ABI (x32, i386)
    // are killed: nothing here makes them.
    sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kArch, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_rt_sigreturn, 2, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_exit, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    sock_fprog prog{static_cast<unsigned short>(sizeof code / sizeof code[0]), code};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return "PR_SET_NO_NEW_PRIVS failed";
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
      return std::string("seccomp(SECCOMP_SET_MODE_FILTER) failed: errno ") +
             std::to_string(errno);
    }
    return {};
  }

  // Clears the count (call before install(), from any thread).
  static void reset() noexcept {
    trapped().store(0, std::memory_order_relaxed);
  }
  [[nodiscard]] static std::uint64_t count() noexcept {
    return trapped().load(std::memory_order_acquire);
  }
  // "write(1) futex(202) ..." for the first calls trapped.
  [[nodiscard]] static std::string seen() {
    std::string out;
    const std::uint64_t n = count();
    for (std::size_t i = 0; i < n && i < kRemembered; ++i) {
      out += "syscall " + std::to_string(numbers()[i].load(std::memory_order_relaxed)) + " ";
    }
    return out;
  }

  // Ends the calling (filtered) thread.
  [[noreturn]] static void exit_thread() noexcept {
    while (true) syscall(SYS_exit, 0);
  }

 private:
#if defined(__x86_64__)
  static constexpr std::uint32_t kArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
  static constexpr std::uint32_t kArch = AUDIT_ARCH_AARCH64;
#else
#error "SyscallTrap: add this architecture's AUDIT_ARCH_ value"
#endif

  static std::atomic<std::uint64_t>& trapped() noexcept {
    static std::atomic<std::uint64_t> n{0};
    return n;
  }
  static std::array<std::atomic<long>, kRemembered>& numbers() noexcept {
    static std::array<std::atomic<long>, kRemembered> a{};
    return a;
  }

  // Async-signal-safe: atomics and the saved registers only.
  static void on_sigsys(int, siginfo_t* info, void* context) noexcept {
    const std::uint64_t i = trapped().fetch_add(1, std::memory_order_acq_rel);
    if (i < kRemembered) numbers()[i].store(info->si_syscall, std::memory_order_relaxed);
    auto* uc = static_cast<ucontext_t*>(context);
#if defined(__x86_64__)
    uc->uc_mcontext.gregs[REG_RAX] = -ENOSYS;
#elif defined(__aarch64__)
    uc->uc_mcontext.regs[0] = static_cast<unsigned long long>(-ENOSYS);
#endif
  }
};

}  // namespace ringkafka::test
