using System.Text;
using HyperSharp.Benchmarks.Worker;

// The process-isolation contender: the benchmark guest's functions, answered over stdin/stdout with
// WorkerProtocol frames until stdin closes. One process serves many requests (the long-lived mode)
// or exactly one (process per request); the harness decides by when it closes stdin.
using var input = Console.OpenStandardInput();
using var output = Console.OpenStandardOutput();

// Reserved but not touched, so the pages DirtyPages writes are first-touch faults, like a guest's.
byte[]? pages = null;

WorkerProtocol.Write(output, WorkerMessage.Ready, []);
while (WorkerProtocol.Read(input) is var (kind, payload))
{
    switch (kind)
    {
        case WorkerMessage.Echo:
            // Decode and encode, as a handler taking and returning a string would.
            var text = Encoding.UTF8.GetString(payload);
            WorkerProtocol.Write(output, WorkerMessage.Result, Encoding.UTF8.GetBytes(text));
            break;
        case WorkerMessage.CallHostAdd:
            WorkerProtocol.WriteInts(output, WorkerMessage.HostAddRequest, WorkerProtocol.Int(payload, 0), WorkerProtocol.Int(payload, 1));
            var sum = WorkerProtocol.Int(WorkerProtocol.Expect(input, WorkerMessage.HostAddResult), 0);
            WorkerProtocol.WriteInts(output, WorkerMessage.Result, sum);
            break;
        case WorkerMessage.Bytes24KIn8KOut:
            WorkerProtocol.Write(output, WorkerMessage.Result, payload.AsSpan(0, Math.Min(payload.Length, WorkerProtocol.BytesOut)));
            break;
        case WorkerMessage.DirtyPages:
            var count = Math.Clamp(WorkerProtocol.Int(payload, 0), 0, WorkerProtocol.MaxDirtyPages);
            pages ??= GC.AllocateUninitializedArray<byte>(WorkerProtocol.MaxDirtyPages * WorkerProtocol.PageSize);
            for (var i = 0; i < count; i++)
            {
                pages[i * WorkerProtocol.PageSize] = (byte)i;
            }

            WorkerProtocol.WriteInts(output, WorkerMessage.Result, count);
            break;
        default:
            Console.Error.WriteLine($"worker: unexpected {kind}");
            return 2;
    }
}

return 0;
