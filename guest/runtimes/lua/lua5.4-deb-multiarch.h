/* Debian's luaconf.h includes this header, which Debian's build generates, for the C module
 * path of its packages. A guest loads no modules (luaguest opens no package library), so the
 * value only has to exist. */
#define DEB_HOST_MULTIARCH "x86_64-linux-gnu"
