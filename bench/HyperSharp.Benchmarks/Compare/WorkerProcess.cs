using System.Diagnostics;
using System.Text;
using HyperSharp.Benchmarks.Worker;

namespace HyperSharp.Benchmarks.Compare;

/// <summary>
/// One running bench/HyperSharp.Benchmarks.Worker process, spoken to over its stdin and stdout with
/// <see cref="WorkerProtocol"/> frames. The constructor returns once the worker has said it is ready;
/// <see cref="Dispose"/> closes its stdin and waits for it to exit.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly Stream _requests;
    private readonly Stream _responses;

    public WorkerProcess(string path)
    {
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {path}.");
        _requests = _process.StandardInput.BaseStream;
        _responses = _process.StandardOutput.BaseStream;
        _ = WorkerProtocol.Expect(_responses, WorkerMessage.Ready);
    }

    public int Id => _process.Id;

    public string Echo(string text)
    {
        WorkerProtocol.Write(_requests, WorkerMessage.Echo, Encoding.UTF8.GetBytes(text));
        return Encoding.UTF8.GetString(WorkerProtocol.Expect(_responses, WorkerMessage.Result));
    }

    /// <summary>The worker calls back with the two numbers; <paramref name="host"/> answers, the worker returns its answer.</summary>
    public int CallHostAdd(int a, int b, Func<int, int, int> host)
    {
        WorkerProtocol.WriteInts(_requests, WorkerMessage.CallHostAdd, a, b);
        var request = WorkerProtocol.Expect(_responses, WorkerMessage.HostAddRequest);
        WorkerProtocol.WriteInts(_requests, WorkerMessage.HostAddResult, host(WorkerProtocol.Int(request, 0), WorkerProtocol.Int(request, 1)));
        return WorkerProtocol.Int(WorkerProtocol.Expect(_responses, WorkerMessage.Result), 0);
    }

    public byte[] Bytes24KIn8KOut(byte[] input)
    {
        WorkerProtocol.Write(_requests, WorkerMessage.Bytes24KIn8KOut, input);
        return WorkerProtocol.Expect(_responses, WorkerMessage.Result);
    }

    public int DirtyPages(int count)
    {
        WorkerProtocol.WriteInts(_requests, WorkerMessage.DirtyPages, count);
        return WorkerProtocol.Int(WorkerProtocol.Expect(_responses, WorkerMessage.Result), 0);
    }

    /// <summary>End of stdin is the worker's signal to exit; waits until it has.</summary>
    public void Dispose()
    {
        _requests.Dispose();
        _process.WaitForExit();
        _process.Dispose();
    }
}
