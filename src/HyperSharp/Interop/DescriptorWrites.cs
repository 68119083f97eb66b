using System.Runtime.InteropServices;

namespace HyperSharp.Interop;

/// <summary>Writes a whole buffer with <c>pwrite</c>, which may write less than asked or be interrupted.</summary>
internal static class DescriptorWrites
{
    /// <summary>Writes <paramref name="length"/> bytes at <paramref name="offset"/>; returns 0, or the errno that stopped it.</summary>
    public static unsafe int WriteAll(SafeFileDescriptor file, byte* data, long length, long offset)
    {
        while (length > 0)
        {
            // SAFETY: data points at `length` readable bytes (the caller's buffer, advanced below).
            var written = Libc.PWrite(file, data, (nuint)length, offset);
            if (written < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.EINTR)
                {
                    continue;
                }

                return errno;
            }

            data += written;
            length -= written;
            offset += written;
        }

        return 0;
    }
}
