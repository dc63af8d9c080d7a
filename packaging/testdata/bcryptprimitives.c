/*
 * bcryptprimitives.dll for Wine 8 (Debian 12), which lacks it. Go 1.22 and later
 * get random bytes from its ProcessPrng (every Windows since 8 has it), and a Go
 * program stops at start without it: "fatal error: bcryptprimitives.dll not found".
 * The packaging tests build this into their Wine prefix's system32; it forwards to
 * BCryptGenRandom, which Wine has. It is not part of any package.
 */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (BCryptGenRandom(NULL, data, n, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
