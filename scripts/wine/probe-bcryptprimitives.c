/*
 * Does this Windows (or Wine prefix) have bcryptprimitives.dll's ProcessPrng,
 * which Rust's std imports? Prints what it finds; exits 0 when the function is
 * there, 2 when the DLL is missing, 3 when the DLL lacks the function.
 */
#include <stdio.h>
#include <windows.h>

int main(void)
{
    HMODULE dll = LoadLibraryA("bcryptprimitives.dll");
    if (dll == NULL) {
        printf("LoadLibrary(\"bcryptprimitives.dll\") failed: error %lu\n", GetLastError());
        return 2;
    }
    FARPROC f = GetProcAddress(dll, "ProcessPrng");
    if (f == NULL) {
        printf("GetProcAddress(bcryptprimitives.dll, \"ProcessPrng\") failed: error %lu\n", GetLastError());
        return 3;
    }
    BYTE buf[16];
    BOOL ok = ((BOOL(WINAPI *)(PBYTE, SIZE_T))f)(buf, sizeof buf);
    printf("bcryptprimitives.dll ProcessPrng: %s\n", ok ? "works" : "returned FALSE");
    return ok ? 0 : 4;
}
