namespace Chartseal.IO;

/// <summary>Recognises the write failures that mean "no room": a full disk, an exhausted quota, a file size limit.</summary>
public static class StorageFull
{
    // errno on Linux and macOS (.NET puts the raw errno in HResult on Unix); Win32 error codes in an HRESULT on Windows.
    private const int Enospc = 28, Efbig = 27, EdquotLinux = 122, EdquotMac = 69;
    private const int ErrorHandleDiskFull = 39, ErrorDiskFull = 112;

    /// <summary>Whether <paramref name="exception"/> (from a write) says there is no room left.</summary>
    public static bool Is(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is IOException io && Matches(io.HResult))
            {
                return true;
            }
        }
        return false;
    }

    private static bool Matches(int hresult)
    {
        if (OperatingSystem.IsWindows())
        {
            int code = hresult & 0xFFFF;
            return (hresult & unchecked((int)0xFFFF0000)) == unchecked((int)0x80070000) && code is ErrorDiskFull or ErrorHandleDiskFull;
        }
        return hresult is Enospc or Efbig or EdquotLinux || (OperatingSystem.IsMacOS() && hresult == EdquotMac);
    }
}
