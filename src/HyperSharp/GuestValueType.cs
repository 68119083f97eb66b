namespace HyperSharp;

/// <summary>The types a guest function or a host function can take and return.</summary>
/// <remarks>The numeric values are the wire-format tags of <c>enum hs_type</c> in <c>abi.h</c>.</remarks>
public enum GuestValueType : byte
{
    /// <summary>No value; valid only as a return type.</summary>
    Void = 0,

    /// <summary>A 32-bit signed integer (<see cref="int"/>).</summary>
    Int = 1,

    /// <summary>A 32-bit unsigned integer (<see cref="uint"/>).</summary>
    UInt = 2,

    /// <summary>A 64-bit signed integer (<see cref="long"/>).</summary>
    Long = 3,

    /// <summary>A 64-bit unsigned integer (<see cref="ulong"/>).</summary>
    ULong = 4,

    /// <summary>A 32-bit IEEE 754 float (<see cref="float"/>).</summary>
    Float = 5,

    /// <summary>A 64-bit IEEE 754 float (<see cref="double"/>).</summary>
    Double = 6,

    /// <summary>A boolean (<see cref="bool"/>).</summary>
    Bool = 7,

    /// <summary>A UTF-8 string (<see cref="string"/>).</summary>
    String = 8,

    /// <summary>A byte array (<c>byte[]</c>).</summary>
    Bytes = 9,
}
