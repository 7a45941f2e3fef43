/*
 * bcryptprimitives.dll for Wine 8, which has none: Rust's std (1.78 and later)
 * imports ProcessPrng from it on every Windows target, so a Rust DLL does not
 * load without it (LoadLibrary fails with ERROR_MOD_NOT_FOUND). Windows 10 and
 * Wine 9 ship the DLL; scripts/test-wine.js builds this one into its Wine
 * prefix only when `probe.exe bcryptprimitives` (scripts/wine/probe.c) shows
 * the prefix lacks it.
 *
 * ProcessPrng fills the buffer from the system's generator, as the real one
 * does; RtlGenRandom (advapi32's SystemFunction036) is that generator's
 * documented entry point, and Wine implements it.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
