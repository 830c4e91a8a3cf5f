# Human graph network + pose-attention network; layout, in_channels and num_classes come
# from the experiment config.
model = dict(
    type='SkeletonRecognizer',
    network=dict(
        type='PoseAttentionNetwork',
        graph_channels=(64, 64),
        pooled_channels=128,
        num_clusters=8,
        gru_channels=128,
        attention_channels=64,
        diffpool=True,
        joint_attention=True,
        pose_attention=True,
        dropout=0.3,
        loss_weights=dict(pose=1.0, joints=0.5, link=0.0, entropy=0.0)))
