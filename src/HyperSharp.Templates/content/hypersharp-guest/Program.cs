using HyperSharp;

// Functions the guest may call. Its printf output arrives through HostPrint, which writes to this console.
var host = new HostFunctions();
host.Define("HostMultiply", (int a, int b) => a * b);

// guest.elf is guest/main.c, compiled by the build and copied beside this program.
using var sandbox = Sandbox.Create(Path.Combine(AppContext.BaseDirectory, "guest.elf"), host);

Console.WriteLine($"Add(40, 2) = {sandbox.Call<int>("Add", 40, 2)}");
Console.WriteLine($"Greet(\"world\") = {sandbox.Call<string>("Greet", "world")}");
Console.WriteLine($"Square(12) via the host = {sandbox.Call<int>("Square", 12)}");

// Guest faults cannot hurt this process: the sandbox is poisoned, and a restore makes it usable again.
try
{
    sandbox.Call<int>("Crash");
}
catch (GuestFaultException e)
{
    Console.WriteLine($"Crash: {e.GetType().Name}");
}
