namespace HyperSharp.Telemetry;

/// <summary>The spans of snapshot files being saved and loaded, and the load-duration metric.</summary>
internal static class SnapshotObserver
{
    /// <summary>Runs a load in a <c>hypersharp.snapshot.load</c> span, recording its duration.</summary>
    public static Snapshot Load(string reference, Func<Snapshot> load)
    {
        var activity = Instruments.Source.StartActivity("hypersharp.snapshot.load");
        activity?.SetTag("hypersharp.snapshot.reference", UntrustedText.Escape(reference, 256));
        var start = Instruments.StartTiming(true);
        try
        {
            var snapshot = load();
            Instruments.SnapshotLoadDuration.Record(Instruments.SecondsSince(start));
            activity?.Dispose();
            return snapshot;
        }
        catch (Exception e)
        {
            Instruments.SnapshotLoadDuration.Record(
                Instruments.SecondsSince(start), new KeyValuePair<string, object?>(TelemetryNames.ErrorType, e.GetType().FullName));
            SandboxObserver.Fail(activity, e);
            throw;
        }
    }

    /// <summary>Runs a save in a <c>hypersharp.snapshot.save</c> span.</summary>
    public static string Save(string tag, Func<string> save)
    {
        var activity = Instruments.Source.StartActivity("hypersharp.snapshot.save");
        activity?.SetTag("hypersharp.snapshot.tag", tag);
        try
        {
            var digest = save();
            activity?.SetTag("hypersharp.snapshot.digest", digest);
            activity?.Dispose();
            return digest;
        }
        catch (Exception e)
        {
            SandboxObserver.Fail(activity, e);
            throw;
        }
    }
}
