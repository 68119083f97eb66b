namespace HyperSharp.Elf;

/// <summary>
/// A run of whole pages of the loaded image that share one mapping. <see cref="Offset"/> and
/// <see cref="Length"/> are relative to the image start and multiples of 4096. Pages no segment
/// covers are <see cref="Present"/> = false (and never writable or executable).
/// </summary>
internal readonly record struct ElfPageRange(ulong Offset, ulong Length, bool Present, bool Writable, bool Executable);
