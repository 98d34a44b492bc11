package dev.modelsync.agent.watch;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/** The few libc calls the inotify watcher needs, through JNA: nothing to compile. Linux only. */
interface LibC extends Library {
  int IN_NONBLOCK = 0x800;
  int IN_CLOEXEC = 0x80000;
  int EFD_CLOEXEC = 0x80000;
  int EFD_NONBLOCK = 0x800;
  short POLLIN = 0x1;
  int EINTR = 4;
  int EAGAIN = 11;
  int ENOSPC = 28;

  int IN_MODIFY = 0x2;
  int IN_ATTRIB = 0x4;
  int IN_CLOSE_WRITE = 0x8;
  int IN_MOVED_FROM = 0x40;
  int IN_MOVED_TO = 0x80;
  int IN_CREATE = 0x100;
  int IN_DELETE = 0x200;
  int IN_Q_OVERFLOW = 0x4000;
  int IN_IGNORED = 0x8000;
  int IN_ONLYDIR = 0x01000000;
  int IN_DONT_FOLLOW = 0x02000000;
  int IN_EXCL_UNLINK = 0x04000000;
  int IN_ISDIR = 0x40000000;

  /** Loads libc; throws {@link UnsatisfiedLinkError} or similar where JNA cannot. */
  static LibC load() {
    return Native.load("c", LibC.class);
  }

  int inotify_init1(int flags) throws LastErrorException;

  int inotify_add_watch(int fd, byte[] path, int mask) throws LastErrorException;

  int inotify_rm_watch(int fd, int wd) throws LastErrorException;

  int eventfd(int initval, int flags) throws LastErrorException;

  int poll(Pointer fds, NativeLong nfds, int timeoutMs) throws LastErrorException;

  NativeLong read(int fd, Pointer buf, NativeLong count) throws LastErrorException;

  NativeLong write(int fd, Pointer buf, NativeLong count) throws LastErrorException;

  int close(int fd) throws LastErrorException;
}
